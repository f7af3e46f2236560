// What the browser tests share about the staff pages: signing in, and
// collecting the pages' script errors.

// watchErrors collects the script errors of pages into errors and returns
// it. Failed loads are expected in these tests (a refused password, a
// dropped stream); script errors are not.
export function watchErrors(pages, errors = []) {
  for (const p of pages) {
    p.on("pageerror", (e) => errors.push(String(e)));
    p.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text()); });
  }
  return errors;
}

// signer returns signIn(page, user, next): it signs user in with password
// through base's /login form, then waits (up to timeout ms each) for the
// page next and for its live stream (#conn live).
export function signer(base, password, timeout) {
  return async function signIn(page, user, next) {
    await page.goto(base + "/login?next=" + encodeURIComponent(next));
    await page.fill("#username", user);
    await page.fill("#password", password);
    await page.click("#sign-in");
    try {
      await page.waitForURL(base + next, { timeout });
    } catch (e) {
      throw new Error("sign in " + user + ": still at " + page.url() + ": " + (await page.textContent("body")));
    }
    await page.waitForSelector("#conn[data-state=live]", { timeout });
  };
}
