/*
 * The floor for reading a config: libyaml's event parser over a file,
 * every event made and dropped, nothing kept. kvmrun --check of the same
 * file is measured against it: whatever is above is kvmrun's own.
 *
 *   bench/yaml-floor FILE
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	yaml_parser_t parser;
	yaml_event_t event;
	unsigned long events = 0;
	int done = 0;

	if (!f) {
		fprintf(stderr, "usage: yaml-floor FILE\n");
		return 2;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "yaml-floor: %s\n", parser.problem);
			return 1;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		events++;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	printf("%lu events\n", events);
	return 0;
}
