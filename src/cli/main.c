/*
 * main.c — entry point: picks a sub-command from the table below and hands
 * it the rest of the command line. Wiring only; no logic lives here.
 */
#include "cli/cli.h"
#include "core/core.h"

#include <stdio.h>
#include <string.h>

static int cmd_version(int argc, char **argv);

static const struct cli_command commands[] = {
    {"version", "print the version", cmd_version},
    {"nn", "run a TFLite model with the inference engine (nn run)", cmd_nn},
    {"probe", "print a video's properties as JSON", cmd_probe},
    {"pose", "run BlazePose on a video, landmarks as JSON", cmd_pose},
    {"serve", "serve the HTTP API and run job workers", cmd_serve},
    {"admin", "administration: create an organization with an admin and API key", cmd_admin},
    {"worker", "run job workers without HTTP (scale-out)", cmd_worker},
    {"analyze", "analyse a video offline: result.json + analyzed.mp4", cmd_analyze},
};

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("kinalyze %s\n", KZ_VERSION);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kinalyze <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < KZ_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'kinalyze <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < KZ_ARRAY_LEN(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kinalyze: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
