"""GitHub: the pull request as a source (``pull_request``), and the review posted on it as a sink.

    client         PyGithub set up with retries and pacing for writes; GitHubError
    pull_request   the PR's files as FileChange records, texts at the head (a source)
    items          fills and findings as review items anchored to the diff, with fingerprints
    review         one COMMENT review: what is already there, planning, posting
    sink           PullRequestReview, the ``sinks.base.Sink`` that ties them together
    actions        the job summary, step outputs and annotations of a GitHub Actions run

Named ``codestral_bot.github``; ``import github`` inside it is still PyGithub (absolute imports).
"""
from __future__ import annotations
