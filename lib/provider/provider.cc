#include "provider/provider.h"

namespace wf::provider {
namespace {

// permanent and protocol failures mean the provider cannot do this for us now: 69. Retries that ran
// out are temporary: 75.
util::Exit exit_for(ProviderError::Kind kind) {
  return kind == ProviderError::Kind::retryable ? util::Exit::temp : util::Exit::unavailable;
}

}  // namespace

ProviderError::ProviderError(Kind kind, std::string code, std::string message, bool nothing_created)
    : Error(exit_for(kind), std::move(message)), kind_(kind), code_(std::move(code)), nothing_created_(nothing_created) {}

std::string_view to_string(ProviderError::Kind kind) {
  switch (kind) {
    case ProviderError::Kind::permanent: return "permanent";
    case ProviderError::Kind::retryable: return "retryable";
    case ProviderError::Kind::timeout: return "timeout";
    case ProviderError::Kind::unavailable: return "unavailable";
    case ProviderError::Kind::protocol: return "protocol";
  }
  return "unknown";
}

}  // namespace wf::provider
