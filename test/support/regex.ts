/**
 * One regular expression written in parts, so that a long expected message stays within the line limit:
 * `regex(/first part /, /second part/m)` is `/first part second part/m` (the flags are the last part's).
 */
export function regex(...parts: readonly RegExp[]): RegExp {
  if (parts.length === 0) throw new Error('regex(): give at least one part');
  return new RegExp(parts.map((part) => part.source).join(''), parts[parts.length - 1].flags);
}
