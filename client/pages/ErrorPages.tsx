// The 404 and 500 pages: plain words and a way back, never a stack trace.
export function NotFoundPage({ what = 'page' }: { what?: string }) {
  return (
    <section class="error-page" aria-labelledby="page-title">
      <h1 id="page-title">Not found</h1>
      <p>We could not find that {what}. It may have moved, or the address may be mistyped.</p>
      <p>
        <a href="/">Back to recent discussions</a>
      </p>
    </section>
  );
}

export function ErrorPage({ message = 'Something went wrong on our side. Please try again in a moment.' }: { message?: string }) {
  return (
    <section class="error-page" aria-labelledby="page-title">
      <h1 id="page-title">Sorry</h1>
      <p>{message}</p>
      <p>
        <a href="/">Back to recent discussions</a>
      </p>
    </section>
  );
}
