/** Turns a form validation error (services/vm-form.ts) into the user's language. */
import type { FieldError, FormErrors } from '../services/vm-form.js';

type Translate = (key: string, named: Record<string, unknown>) => string;

export function fieldMessage(t: Translate, error: FieldError): string {
  const params: Record<string, unknown> = { ...error.params };
  if (typeof params.what === 'string') params.what = t(`form.what.${params.what}`, {});
  return t(`form.errors.${error.key}`, params);
}

/** Every error of a form, translated, by field. */
export function fieldMessages(t: Translate, errors: FormErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, error]) => [field, fieldMessage(t, error)]));
}
