"""Developer aid: render the Markdown pages of one content folder without MkDocs (for layout work).

    python docs-notes/render-one.py tests/fixtures/real/<slug>/content [OUT]

Prints the problems, then writes the pages to OUT (default: build/render-one/) and prints their paths.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.forms.validate import check_content  # noqa: E402
from generator.site.build import render_outputs  # noqa: E402
from generator.site.render import Settings  # noqa: E402

content = Path(sys.argv[1])
out = Path(sys.argv[2] if len(sys.argv) > 2 else "build/render-one")
result = check_content(content, jobs=1)
for problem in result.problems:
    print(problem.format())
if result.errors:
    sys.exit(1)
pages = render_outputs(result, Settings(root=Path("."), downloads=False))
for rel, data in pages.items():
    if rel.endswith(".md"):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(target)
