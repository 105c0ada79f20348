/* Name → index map (open addressing on a string hash): the frontend finds
 * tensors by name while it builds a graph, the ONNX exporter keeps the
 * names it has given out. Only lookups are asked of it, so the table's
 * order never reaches any output. */
#ifndef SCNNC_NAME_MAP_H
#define SCNNC_NAME_MAP_H

typedef struct name_map name_map;
name_map *name_map_new(void);
void name_map_free(name_map *m);
int name_map_get(const name_map *m, const char *name);          /* -1 when absent */
int name_map_put(name_map *m, const char *name, int value);     /* -1 on OOM */

#endif
