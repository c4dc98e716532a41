// The main() of the layer-check executables (core/CMakeLists.txt): each links one engine
// layer whole against the layers it declares, so a call into an undeclared layer fails to link.
int main() { return 0; }
