// Signed render URLs in the browser (contract §4): the canonical query and the hex
// HMAC-SHA256 (Web Crypto), exactly as the server checks them (rendering.signed.signing).
// No imports, so a test can bundle this file alone and compare it with the server.

// RFC 3986: unreserved characters kept, everything else percent-encoded (UTF-8); space is %20.
const enc = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function canonicalQuery(params: [string, string][]): string {
  return params
    .filter(([name]) => name !== 's')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${enc(name)}=${enc(value)}`)
    .join('&');
}

export async function hmacHex(secret: string, message: string): Promise<string> {
  const te = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', te.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, te.encode(message));
  return Array.from(new Uint8Array(sig), (b) => b.toString(16).padStart(2, '0')).join('');
}
