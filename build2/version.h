#define TIPLINE_VERSION "0.1+git4fda146"
