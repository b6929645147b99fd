#include "alert/redact.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace wf::alert {
namespace {

struct Parts {
  std::string_view scheme, userinfo, hostport, rest;  // rest: path, query and fragment
};

bool parse(std::string_view url, Parts& p) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  p.scheme = url.substr(0, colon);
  if (!std::all_of(p.scheme.begin(), p.scheme.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; }))
    return false;
  std::string_view after = url.substr(colon + 3);
  size_t end = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, end);
  p.rest = end == std::string_view::npos ? std::string_view() : after.substr(end);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    p.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  p.hostport = authority;
  return !p.hostport.empty();
}

}  // namespace

std::string redact_url(std::string_view url) {
  Parts p;
  if (!parse(url, p)) return "***";
  std::string out = std::string(p.scheme) + "://";
  if (!p.userinfo.empty()) out += "***@";
  out += p.hostport;
  if (!p.rest.empty() && p.rest != "/") out += p.rest.front() == '/' ? "/***" : "***";
  return out;
}

std::string scrub(std::string text, std::string_view url) {
  Parts p;
  std::vector<std::string> secrets;
  if (parse(url, p)) {
    if (!p.userinfo.empty()) secrets.emplace_back(p.userinfo);
    if (!p.rest.empty()) secrets.emplace_back(p.rest);
    // Pieces of the path and query one by one too: a library may quote a part of it.
    std::string piece;
    for (char c : std::string(p.userinfo) + ":" + std::string(p.rest) + "/") {
      if (c == '/' || c == '?' || c == '&' || c == '=' || c == '#' || c == ':') {
        if (piece.size() >= 4) secrets.push_back(piece);
        piece.clear();
      } else {
        piece += c;
      }
    }
  } else if (!url.empty()) {
    secrets.emplace_back(url);
  }
  // Longest first, so a whole secret goes before a piece of it leaves the rest visible.
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  for (const auto& s : secrets) {
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) text.replace(pos, s.size(), "***");
  }
  return text;
}

}  // namespace wf::alert
