// The pages' only inline script, allowed by its hash in the Content-Security-Policy (server/http/security.ts): it
// runs as the parser reaches the song's folded facts, so a wide screen shows every fact from the first paint instead
// of opening them once the page's script has loaded (which moved everything below them). Phones keep the fold.
export const OPEN_FACTS_WIDE = `matchMedia('(min-width: 48rem)').matches&&document.currentScript.previousElementSibling.setAttribute('open','')`;
