#include "report/palette.h"

#include <array>

namespace wf::report {

const char* category_colour(uint32_t index) {
  // Tableau's 10 without its red, and two of its lighter tones to make ten.
  static constexpr std::array<const char*, kDistinctColours> colours = {
      "#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#a0cbe8"};
  return index < colours.size() ? colours[index] : kOtherColour;
}

}  // namespace wf::report
