const uzumHosts = new Set(["uzum.uz", "www.uzum.uz"]);

/**
 * Parses text as a link to uzum.uz (with or without `www.` or the scheme) and returns
 * undefined for anything else, so no other host is ever fetched from user input.
 */
export function parseUzumUrl(text: string): URL | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (!uzumHosts.has(url.hostname.toLowerCase())) return undefined;
  return url;
}
