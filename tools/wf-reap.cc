#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::reap_main(argc, argv); }
