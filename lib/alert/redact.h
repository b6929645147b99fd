#pragma once
// Webhook URLs carry their secret in the URL itself: user:password@, a token in the path
// (Slack's /services/T../B../XXXX, Discord's /api/webhooks/ID/TOKEN) or in the query string
// (?token=...). Whatever wf prints about a URL — messages, events, documents — goes through
// redact_url, which keeps only what names the server.
#include <string>
#include <string_view>

namespace wf::alert {

// scheme://host[:port] with "***" for whatever userinfo, path, query or fragment there was:
//   https://user:pw@hooks.example.com:8443/services/T0/B0/XyZ?x=1  ->  https://***@hooks.example.com:8443/***
// Something that does not parse as scheme://authority prints as "***" whole.
std::string redact_url(std::string_view url);

// `text` (an error message from a library, say) with every secret part of `url` — userinfo, path
// segments, query and fragment pieces of 4 characters or more — replaced by "***".
std::string scrub(std::string text, std::string_view url);

}  // namespace wf::alert
