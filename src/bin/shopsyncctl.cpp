#include <cstdio>
int main() { std::puts("shopsyncctl: not built yet"); return 1; }
