/* The database schema, compiled in from schema/NNN-name.sql by scripts/embed-schema.sh. */
#ifndef TIPLINE_SCHEMA_H
#define TIPLINE_SCHEMA_H

struct schema_step {
	int version;      /* the file's number: NNN in schema/NNN-name.sql */
	const char *name; /* the file's base name, for logs */
	const char *sql;  /* the whole file */
};

extern const struct schema_step schema_steps[];
extern const int schema_nsteps;

#endif
