#ifndef KV_H
#define KV_H
/* Length of the value in a "key=value" line; -1 if it cannot tell. */
int kv_value_length(const char *line);
#endif
