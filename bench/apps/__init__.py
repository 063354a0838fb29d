"""The comparison targets of the webhook benchmark, served by functions-framework like ours."""
