#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::history_main(argc, argv); }
