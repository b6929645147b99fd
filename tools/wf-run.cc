#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::run_main(argc, argv); }
