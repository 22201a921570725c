/**
 * Terraform's JSON syntax (.tf.json), built from plain objects: no text template stands
 * between a value and the file, so a quote or a newline in a value cannot break the module.
 * Only strings are still templates for Terraform, hence `literal` for every value that
 * comes from the cluster file, and `expr` for the few references the module makes.
 */

/** A value of a .tf.json document. */
export type TfValue = string | number | boolean | null | TfValue[] | { [key: string]: TfValue };

/** A string Terraform must take as it is: `${` and `%{` would start an interpolation. */
export function literal(value: string): string {
  // (A function, since in a replacement string `$$` itself means one `$`.)
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** An expression, written as a JSON string the way Terraform's JSON syntax takes one. */
export function expr(expression: string): string {
  return `\${${expression}}`;
}

/** A Terraform string literal inside an expression: JSON's quoting is a subset of HCL's. */
export function quoted(value: string): string {
  return JSON.stringify(literal(value));
}

/** A name Terraform accepts for a resource, output or data source (letters, digits, _ and -). */
export function tfName(raw: string): string {
  const name = raw.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
  return /^[a-z_]/.test(name) ? name : `_${name}`;
}

/** The document as Terraform reads it and people diff it: sorted keys are not needed, stable order is. */
export function renderTfJson(doc: Record<string, TfValue>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
