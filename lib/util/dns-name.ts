/**
 * A DNS name as it compares: case-insensitive and without the trailing dot of the fully qualified form
 * (`API.Example.com.` and `api.example.com` are one name).
 */
export function normalizeDnsName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}
