/*
 * cli.h — kinalyze's sub-commands. Each lives in its own cmd_<name>.c and is
 * listed once in the table in main.c. A command returns the process exit
 * status (0 success, 1 runtime failure, 2 usage error).
 */
#ifndef KZ_CLI_H
#define KZ_CLI_H

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

int cmd_nn(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_pose(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_analyze(int argc, char **argv);

#endif
