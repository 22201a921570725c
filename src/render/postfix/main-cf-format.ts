/** One main.cf parameter; a list value is written one element per continuation line. */
export interface PostfixParameter {
  name: string;
  value: string | readonly string[];
  /** Comment lines written above the parameter: why it has this value. */
  why?: readonly string[];
}

export interface PostfixSection {
  title: string;
  parameters: readonly PostfixParameter[];
}

/**
 * main.cf text. Postfix reads a line that starts with whitespace as the continuation of
 * the previous one, and commas or whitespace separate list elements.
 */
export function formatMainCf(header: string, sections: readonly PostfixSection[]): string {
  const out: string[] = [header.trimEnd()];
  for (const section of sections) {
    out.push('', `# === ${section.title}`);
    for (const p of section.parameters) {
      if (p.name.length === 0 || /[\s=]/.test(p.name)) throw new Error(`bad name: ${p.name}`);
      for (const line of p.why ?? []) out.push(`# ${line}`);
      if (typeof p.value === 'string') {
        out.push(p.value === '' ? `${p.name} =` : `${p.name} = ${p.value}`);
      } else {
        out.push(`${p.name} =`);
        p.value.forEach((v, i) => out.push(`    ${v}${i < p.value.length - 1 ? ',' : ''}`));
      }
    }
  }
  return `${out.join('\n')}\n`;
}
