#include <catch2/catch.hpp>

#include "io/diagnostics.h"
#include "util/error.h"

using namespace wf;
using namespace wf::io;

namespace {

class FakeLocator final : public Locator {
 public:
  std::string where(std::string_view pointer) const override { return "f:" + std::string(pointer); }
  const std::string& name() const override { return name_; }

 private:
  std::string name_ = "f";
};

}  // namespace

TEST_CASE("diagnostics keep the first problems and count the rest") {
  FakeLocator locator;
  Diagnostics diags(locator);
  for (size_t i = 0; i < Diagnostics::kMaxReported + 10; ++i) {
    if (diags.errors_full()) diags.count_error();
    else diags.error("/" + std::to_string(i), "bad");
  }
  diags.error("/late", "also bad");
  CHECK(diags.error_count() == Diagnostics::kMaxReported + 11);
  try {
    diags.finish();
    FAIL("no error");
  } catch (const Errors& e) {
    REQUIRE(e.all().size() == Diagnostics::kMaxReported + 1);
    CHECK(e.all().front() == "f:/0: bad");
    CHECK(e.all().back() == "f: 11 more like these not shown");
    CHECK(e.exit() == util::Exit::data);
  }
  CHECK_FALSE(diags.has_errors());
  CHECK_NOTHROW(diags.finish());
}
