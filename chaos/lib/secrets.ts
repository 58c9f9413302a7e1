/**
 * Looks for the run's provider secrets in everything the suite can read: as written, base64
 * encoded (Agora's Basic auth token included) and inside decoded payloads.
 */

/** One place a secret was found. */
export interface SecretHit {
  source: string;
  secret: string;
}

/** Text forms a secret could take where it leaked. */
function needlesFor(name: string, value: string): { name: string; text: string }[] {
  const b64 = Buffer.from(value).toString('base64');
  return [
    { name, text: value },
    { name: `${name} (base64)`, text: b64.replace(/=+$/, '') },
    { name: `${name} (url-encoded)`, text: encodeURIComponent(value) },
  ];
}

const BASE64ISH = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

export class SecretScanner {
  readonly hits: SecretHit[] = [];
  /** Characters scanned per source. */
  readonly scanned: Record<string, number> = {};
  private readonly needles: { name: string; text: string }[];

  constructor(secrets: Record<string, string>, extra: Record<string, string> = {}) {
    this.needles = [...Object.entries(secrets), ...Object.entries(extra)].flatMap(([name, value]) => needlesFor(name, value));
  }

  /** Scans a text; base64-looking tokens in it are decoded and scanned too. */
  scanText(source: string, text: string): void {
    this.scanned[source] = (this.scanned[source] ?? 0) + text.length;
    this.match(source, text);
    for (const token of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
      if (BASE64ISH.test(token)) this.match(source, Buffer.from(token, 'base64').toString('utf8'));
    }
  }

  /** Scans every string and byte array inside a decoded object (a history, a list entry). */
  scanObject(source: string, value: unknown): void {
    const parts: string[] = [];
    const seen = new Set<unknown>();
    const walk = (v: unknown, depth: number) => {
      if (depth > 200 || v === null || v === undefined) return;
      if (typeof v === 'string') parts.push(v);
      else if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
      else if (typeof v === 'object') {
        if (seen.has(v)) return;
        seen.add(v);
        for (const [key, inner] of Object.entries(v)) {
          parts.push(key);
          walk(inner, depth + 1);
        }
      } else parts.push(String(v));
    };
    walk(value, 0);
    this.scanText(source, parts.join('\n'));
  }

  private match(source: string, text: string): void {
    for (const needle of this.needles) {
      if (needle.text.length >= 8 && text.includes(needle.text)) this.hits.push({ source, secret: needle.name });
    }
  }
}
