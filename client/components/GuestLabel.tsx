// Beside every guest's name, wherever it is shown: a guest picks any name, so readers must be able to tell a guest
// called "Admin" from the member of that name (whose name links to their profile and carries no label).
type Author = { userId: string | null };

export const isGuest = (a: Author) => !a.userId;

export function GuestLabel({ author }: { author: Author }) {
  if (!isGuest(author)) return null;
  return (
    <span class="badge guest" data-role="guest-label">
      guest
    </span>
  );
}

/** The name as one line of text (announcements, typing notices, headings): "Ann (guest)" for a guest. */
export const nameAsText = (name: string, guest: boolean) => (guest ? `${name} (guest)` : name);
