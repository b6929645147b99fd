#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::provision_main(argc, argv); }
