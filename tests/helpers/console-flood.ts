/**
 * Checks what tests/guests/hypervisor/console-flood.S prints: every flood line present once and in
 * order (its number and its letters), with the ECHO and BREAK lines collected. Throws at the first
 * bad line.
 */
export function checkFloodLines(text: string): { lines: number; echoes: string[]; breaks: number } {
  let next = 0;
  const echoes: string[] = [];
  let breaks = 0;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('ECHO ')) echoes.push(line.slice(5));
    else if (line === 'BREAK') breaks++;
    else if (/^F\d{6} /.test(line)) {
      const n = Number(line.slice(1, 7));
      let pattern = '';
      for (let i = 0; i < 54; i++) pattern += String.fromCharCode(97 + ((n + i) % 26));
      const want = `F${String(next).padStart(6, '0')} ${pattern}`;
      if (line !== want) throw new Error(`flood line ${next}: got ${JSON.stringify(line)}, want ${JSON.stringify(want)}`);
      next++;
    }
  }
  return { lines: next, echoes, breaks };
}
