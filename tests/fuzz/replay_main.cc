// Runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer: how the seed corpus
// and the regression inputs (crashes found once, fixed since) are checked by every build, gcc's
// Release build included. Operands are files or directories (every regular file in them, sorted
// by name). An input that breaks the target's contract aborts, so the test fails naming it
// (printed before it runs).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

std::vector<std::filesystem::path> inputs(const std::vector<std::string>& operands) {
  std::vector<std::filesystem::path> out;
  for (const auto& operand : operands) {
    std::filesystem::path p(operand);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(p))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> operands(argv + 1, argv + argc);
  size_t count = 0;
  for (const auto& path : inputs(operands)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
      return 66;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s\n", path.c_str());
    // A buffer of exactly the input's size, so AddressSanitizer sees a read past its end.
    std::vector<uint8_t> exact(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
    ++count;
  }
  std::printf("replay: %zu inputs, no failure\n", count);
  return count > 0 ? 0 : 1;
}
