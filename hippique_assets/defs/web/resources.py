"""Which web sources may be fetched: each one off unless enabled, robots.txt always obeyed."""

from dagster import ConfigurableResource

from hippique_assets.web.fetch import WebFetcher, WebSourcesConfig


class WebSourcesResource(ConfigurableResource):
    """ZEturf and Geny fetching: each source off unless enabled; robots.txt always obeyed."""

    zeturf: bool = False
    geny: bool = False
    zeturf_base_url: str = "https://www.zeturf.fr"
    geny_base_url: str = "https://www.geny.com"
    rate_limit_per_s: float = 0.2
    # Total time of one page request (connect, headers and body), as for the PMU API.
    deadline_s: float = 30.0

    def fetcher(self) -> WebFetcher:
        return WebFetcher(
            WebSourcesConfig(
                zeturf=self.zeturf,
                geny=self.geny,
                zeturf_base_url=self.zeturf_base_url,
                geny_base_url=self.geny_base_url,
                rate_limit_per_s=self.rate_limit_per_s,
                deadline_s=self.deadline_s,
            )
        )
