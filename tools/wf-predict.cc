#include "cli/tool.h"

int main(int argc, char** argv) { return wf::cli::predict_main(argc, argv); }
