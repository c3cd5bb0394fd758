// Limits of user input, shared by the zod schemas (server) and the browser's form attributes, which must not
// import zod (it would take most of the page's script budget).
export const LIMITS = {
  commentBody: 5000,
  flagReason: 500,
  displayName: 40,
  guestName: 40,
  location: 60,
  username: { min: 3, max: 30 },
  password: { min: 10, max: 200 },
  search: 200,
  moderationReason: 500,
  word: 60,
  words: 500,
} as const;
