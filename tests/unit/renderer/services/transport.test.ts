import { describe, expect, it } from 'vitest';
import { takeToken } from '../../../../renderer/services/transport.js';

describe('takeToken', () => {
  it('reads the access token and removes it from the address', () => {
    expect(takeToken('http://127.0.0.1:8080/?token=abc_-123')).toEqual({ token: 'abc_-123', cleanUrl: '/' });
  });

  it('keeps other parameters and the hash', () => {
    expect(takeToken('http://127.0.0.1:8080/vm?x=1&token=t0k&y=2#console')).toEqual({
      token: 't0k',
      cleanUrl: '/vm?x=1&y=2#console',
    });
  });

  it('reports a missing or empty token as null', () => {
    expect(takeToken('http://127.0.0.1:8080/').token).toBeNull();
    expect(takeToken('http://127.0.0.1:8080/?token=').token).toBeNull();
  });
});
