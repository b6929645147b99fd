#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::analyze_main(argc, argv); }
