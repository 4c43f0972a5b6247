"""The release being assembled, as a Pyramid event (like Pyramid's own BeforeRender):
a domain that knows more about a project than the projects domain adds its part
(`config.add_subscriber(fn, ReleaseAssembling)`; award adds awards, suppliers, contracts)."""

from dataclasses import dataclass


@dataclass
class ReleaseAssembling:
    dbsession: object
    project: object
    release: dict

    def add(self, part: dict) -> None:
        """Merge `{section: value}` into the release: lists are appended to, objects'
        fields added."""
        for key, value in part.items():
            if isinstance(value, dict):
                self.release[key] = {**self.release.get(key, {}), **value}
            else:
                self.release[key] = [*self.release.get(key, []), *value]
