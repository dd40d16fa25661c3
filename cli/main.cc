#include <iostream>
int main() { std::cout << "keel\n"; return 0; }
