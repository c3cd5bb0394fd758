// Text to match literally inside a regular expression (search filters, a password's names).
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
