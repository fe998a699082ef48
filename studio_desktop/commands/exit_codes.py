"""The exit codes every command shares: light, so the CLI can name them before it imports any command."""

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_CANNOT_START = 2
EXIT_LOCAL_PROBLEM = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE

#: The exit codes every command shares, for ``--help`` (the README has the same table).
EXIT_CODES_HELP = """exit codes:
  0    done: everything asked for is in place
  1    finished, but not everything: some files failed or are still waiting
       (running the same command again retries them)
  2    could not start: bad arguments, no access token, unknown event or album,
       or ShootProof refused or could not be reached (the message says which)
  3    a problem on this computer: the local store is damaged (it is kept aside
       for recovery), the disk is full, or the data folder or log file cannot be
       written
  130  stopped with Ctrl-C (run the same command again to finish)
  141  the program reading the output closed it (e.g. `| head`)"""
