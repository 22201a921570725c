/**
 * Just enough WBXML (WAP Binary XML 1.3, as ActiveSync uses it: [MS-ASWBXML]) to send a
 * FolderSync and read the answer: tags with content, inline strings, opaque data and code
 * page switches; no attributes and no string table, which ActiveSync does not use.
 */

export interface WbxmlElement {
  /** Code page and tag token (without the content flag), e.g. FolderHierarchy 7, 0x16. */
  page: number;
  tag: number;
  children: WbxmlElement[];
  /** Inline string or opaque content, if any. */
  text?: string;
}

const SWITCH_PAGE = 0x00;
const END = 0x01;
const STR_I = 0x03;
const OPAQUE = 0xc3;
const HAS_CONTENT = 0x40;
const HAS_ATTRIBUTES = 0x80;

/** The code pages and tokens this test uses ([MS-ASWBXML] 2.1.2.1). */
export const FOLDER_HIERARCHY = {
  page: 7,
  DisplayName: 0x07,
  ServerId: 0x08,
  Type: 0x0a,
  Status: 0x0c,
  Changes: 0x0e,
  Add: 0x0f,
  SyncKey: 0x12,
  FolderSync: 0x16,
} as const;

/** A tag with content: children elements or a string. */
export function el(page: number, tag: number, content: WbxmlElement[] | string): WbxmlElement {
  return typeof content === 'string'
    ? { page, tag, children: [], text: content }
    : { page, tag, children: content };
}

/** WBXML 1.3, public id 1 (unknown), UTF-8 (IANA MIBenum 106), empty string table. */
export function encode(root: WbxmlElement): Buffer {
  const bytes = [0x03, 0x01, 0x6a, 0x00];
  let page = 0;
  const write = (e: WbxmlElement) => {
    if (e.page !== page) {
      bytes.push(SWITCH_PAGE, e.page);
      page = e.page;
    }
    bytes.push(e.tag | HAS_CONTENT);
    if (e.text !== undefined) bytes.push(STR_I, ...Buffer.from(e.text, 'utf8'), 0x00);
    for (const c of e.children) write(c);
    bytes.push(END);
  };
  write(root);
  return Buffer.from(bytes);
}

export function decode(buf: Uint8Array): WbxmlElement {
  let i = 0;
  const byte = () => {
    if (i >= buf.length) throw new Error('WBXML ends early');
    return buf[i++] as number;
  };
  const uint = () => {
    let n = 0;
    let b: number;
    do {
      b = byte();
      n = (n << 7) | (b & 0x7f);
    } while (b & 0x80);
    return n;
  };
  byte(); // version
  uint(); // public id
  uint(); // charset: ActiveSync always uses UTF-8
  const stringTable = uint(); // (read before `i` is: `i += uint()` would undo the read)
  i += stringTable;
  let page = 0;
  const root: WbxmlElement = { page: -1, tag: -1, children: [] };
  const stack: WbxmlElement[] = [root];
  while (i < buf.length) {
    const t = byte();
    const top = stack[stack.length - 1] as WbxmlElement;
    if (t === SWITCH_PAGE) page = byte();
    else if (t === END) stack.pop();
    else if (t === STR_I) {
      const end = buf.indexOf(0, i);
      top.text = Buffer.from(buf.subarray(i, end)).toString('utf8');
      i = end + 1;
    } else if (t === OPAQUE) {
      const len = uint();
      top.text = Buffer.from(buf.subarray(i, i + len)).toString('utf8');
      i += len;
    } else {
      if (t & HAS_ATTRIBUTES) throw new Error('WBXML attributes are not used by ActiveSync');
      const e: WbxmlElement = { page, tag: t & 0x3f, children: [] };
      top.children.push(e);
      if (t & HAS_CONTENT) stack.push(e);
    }
  }
  const first = root.children[0];
  if (!first) throw new Error('empty WBXML document');
  return first;
}

/** Every element below `e` (depth first) with this page and tag. */
export function findAll(e: WbxmlElement, page: number, tag: number): WbxmlElement[] {
  const out: WbxmlElement[] = [];
  for (const c of e.children) {
    if (c.page === page && c.tag === tag) out.push(c);
    out.push(...findAll(c, page, tag));
  }
  return out;
}
