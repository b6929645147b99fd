#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::report_main(argc, argv); }
