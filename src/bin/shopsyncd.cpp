#include <cstdio>
int main() { std::puts("shopsyncd: not built yet"); return 1; }
