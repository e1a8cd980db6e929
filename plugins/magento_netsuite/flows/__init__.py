"""One module per data flow: pure transforms, the task functions its DAG calls, its replay handler."""
