// YAML or JSON text -> the document tree (io::parse_tree), the Locator placing every value, and
// the tree written back (JSON and YAML) reading as the same tree.
#include <cmath>
#include <string>

#include "fuzz.h"
#include "io/tree.h"

namespace {

using wf::io::Json;

// Equal trees; numbers by value (an integer written as 3 may read back as 3.0), NaN equal to NaN.
bool same(const Json& a, const Json& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsDouble() || b.IsDouble()) {
      double x = a.GetDouble(), y = b.GetDouble();
      return x == y || (std::isnan(x) && std::isnan(y));
    }
    return a == b;
  }
  if (a.GetType() != b.GetType()) return false;
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto i = a.MemberBegin(), j = b.MemberBegin(); i != a.MemberEnd(); ++i, ++j)
      if (i->name != j->name || !same(i->value, j->value)) return false;
    return true;
  }
  return a == b;
}

// Places values (at most `budget` of them: the YAML locator walks from the root each time).
void place_all(const Json& v, const std::string& pointer, const wf::io::Locator& locator, int& budget) {
  if (--budget < 0) return;
  std::string where = locator.where(pointer);
  wf::fuzz::expect(where.starts_with(locator.name()), "a place names the file");
  if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) place_all(v[i], wf::io::pointer_join(pointer, i), locator, budget);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) place_all(m.value, wf::io::pointer_join(pointer, wf::io::view(m.name)), locator, budget);
  }
}

void reread(const std::string& text, const Json& original, const char* as) {
  wf::io::Tree again;
  try {
    again = wf::io::parse_tree({"rewritten", text});
  } catch (const wf::Error& e) {
    wf::fuzz::broken(std::string("the tree written as ") + as + " does not read back: " + e.what() + "\n" + text);
  }
  wf::fuzz::expect(same(original, *again.root), std::string("the tree written as ") + as + " reads back different:\n" + text);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(wf::fuzz::text(data, size));
  if (text.find('\0') != std::string::npos) return 0;  // io::read_source refuses such input
  wf::fuzz::guarded([&] {
    wf::io::Tree tree = wf::io::parse_tree({"fuzz.yaml", text});
    int budget = 200;
    place_all(*tree.root, "", *tree.locator, budget);
    tree.locator->where("/no/such/place");
    reread(wf::io::to_json(*tree.root), *tree.root, "JSON");
    reread(wf::io::to_yaml(*tree.root), *tree.root, "YAML");
  });
  return 0;
}
