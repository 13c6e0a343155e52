/** Admin token checks. */

/**
 * Compares a presented token with the secret in constant time: both are hashed first (so lengths do not leak and
 * the loop always runs over 32 bytes), then every byte is compared without an early exit.
 */
export async function constantTimeEqual(presented: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(secret)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

const ids = new Map<string, string>();

/** A short, non-secret id of a token for the audit log: `token:` + the first 8 hex digits of its SHA-256. */
export async function tokenId(token: string): Promise<string> {
  let id = ids.get(token);
  if (!id) {
    const digest = await sha256(token);
    id = `token:${[...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    ids.clear(); // one secret per deployment: keep the map from growing across rotations
    ids.set(token, id);
  }
  return id;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
