// Unfurl one URL the way a chat app or social network does: fetch the page without a session and read its
// Open Graph / Twitter Card tags. Prints open-graph-scraper's result as JSON; exits 1 when the scrape fails.
// Usage: node unfurl.mjs URL
import ogs from "open-graph-scraper";

const url = process.argv[2];
if (!url) {
  console.error("usage: node unfurl.mjs URL");
  process.exit(2);
}
try {
  const { result, response } = await ogs({
    url,
    timeout: 8,
    // The test's server is http://localhost:PORT, which the default validator refuses (no top-level domain).
    urlValidatorSettings: {
      allow_fragments: true, allow_protocol_relative_urls: false, allow_query_components: true,
      allow_trailing_dot: false, allow_underscores: false, protocols: ["http", "https"], require_host: true,
      require_port: false, require_protocol: true, require_tld: false, require_valid_protocol: true,
      validate_length: true,
    },
  });
  console.log(JSON.stringify({ status: response?.status ?? null, ...result }));
} catch (failure) {
  console.log(JSON.stringify({ success: false, ...(failure?.result ?? { error: String(failure) }) }));
  process.exit(1);
}
