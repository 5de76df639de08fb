"""The ``stpgeo`` command: a thin layer over the Python API.

Every command is one call into the library. Bad input raises
:class:`~stpgeo.errors.StpgeoError`, printed here without a traceback (exit
status 2) unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from dataclasses import fields
from inspect import signature
from pathlib import Path
from typing import Any, TypeVar

import click

from stpgeo._version import __version__
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import data_dir, load_catalogue
from stpgeo.progress import show_progress

F = TypeVar("F", bound=Callable[..., Any])


def _common(function: F) -> F:
    """Options every command takes: --data, --quiet, --debug.

    --quiet turns progress messages off here; --debug is read by :func:`main`; --data
    is handed to the command only when it asks for it (a ``data`` parameter).
    """
    wants_data = "data" in signature(function).parameters

    @functools.wraps(function)
    def command(*args: Any, data: Path | None, quiet: bool, debug: bool, **kwargs: Any) -> Any:
        show_progress(not quiet)
        return function(*args, **kwargs, **({"data": data} if wants_data else {}))

    command = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(command)
    command = click.option("--quiet", "-q", is_flag=True,
                           help="No progress messages on stderr.")(command)
    # eager: the paths given to the command are looked for inside the data directory too
    return click.option(  # type: ignore[return-value]
        "--data", "data", type=click.Path(file_okay=False, path_type=Path),
        envvar="STPGEO_DATA", show_envvar=True, is_eager=True,
        help="Folder holding the boundary files, lookups and population "
             "[default: boundaries/ when it holds data, else ../shared/boundaries].",
    )(command)


def resolve_input(path: Path | None, data: Path | None) -> Path | None:
    """A path as given if it exists, else the same path inside the data directory."""
    if path is None or path.exists():
        return path
    try:
        inside = load_catalogue().locate(path, data_dir(data))
    except StpgeoError:
        return path
    return inside if inside.exists() else path


class _InputPath(click.Path):
    """A path that may also be given relative to the data directory (``--data``)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        data = ctx.params.get("data") if ctx is not None else None
        data = data if isinstance(data, Path) else None  # (click's "unset" marker otherwise)
        return resolve_input(Path(str(super().convert(value, param, ctx))), data)


def _flag(spec: Any) -> Callable[[F], F]:
    """The command-line flag of a field of :class:`~stpgeo.analysis.options.AnalysisOptions`."""
    kind, name = spec.metadata["kind"], spec.name.replace("_", "-")
    if kind == "switch":
        return click.option(f"--{name}/--no-{name}", spec.name, default=spec.default,
                            help=spec.metadata["help"], show_default=True)
    return click.option(
        f"--{name}", spec.name, help=spec.metadata["help"],
        type=_InputPath() if kind == "path" else (
            click.FloatRange(0, 0.5, max_open=True) if kind == "share" else None),
        default=spec.default, show_default=spec.default is not None)


#: What the running command prints is also heard by its replay's recording, if any.
_heard: list[Callable[..., None]] = []


def _say(text: str, *, err: bool = False) -> None:
    """Print a line of a replayable command's output (and keep it for its replays)."""
    click.echo(text, err=err)
    for heard in _heard:
        heard(text, err)


def _replayable(outputs: Callable[[dict[str, Any]], list[Path]]) -> Callable[[F], F]:
    """Answer a command from the cache when the same command ran on the same inputs.

    ``outputs`` names the paths the command writes, from its parameters. With
    ``--no-cache`` the command always runs; ``--rerun`` runs it and keeps it afresh
    (:mod:`stpgeo.io.replay`).
    """
    def decorate(function: F) -> F:
        @functools.wraps(function)
        def command(*, rerun: bool, **params: Any) -> Any:
            if not params.get("cache", True):
                return function(**params)
            from stpgeo.io.replay import Replay
            from stpgeo.progress import announce

            replay = Replay.of(function.__name__, params, outputs=outputs(params))
            played = None if rerun else replay.play()
            if played is not None:
                when = played.made.replace("T", " ")[:16]
                announce(f"the same command ran on the same inputs on {when} UTC: its "
                         "outputs are copied from the cache (--rerun does the work again)")
                for err, text in played.said:
                    click.echo(text, err=err)
                return None
            with replay.recording() as heard:
                _heard.append(heard)
                try:
                    return function(**params)
                finally:
                    _heard.remove(heard)

        return click.option(  # type: ignore[return-value]
            "--rerun", is_flag=True,
            help="Do the work even when the same command ran on the same inputs before "
                 "(its outputs are otherwise copied from the cache).")(command)

    return decorate


#: ``--cache/--no-cache`` for the commands that read inputs, as ``stpgeo analyse`` has it.
_cache_flag = _flag(next(f for f in fields(AnalysisOptions) if f.name == "cache"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stpgeo")
def cli() -> None:
    """Find where NHS footprints (CCGs, STPs) and council wards do not line up.

    Paths may be given relative to the data directory (--data): for example
    wards/wards_dec2013_england.geojson.
    """


@cli.command()
@click.argument("file", type=_InputPath())
@click.option("--kind", help="Kind of area expected: ward, lsoa, council, ccg, stp.")
@click.option("--code-field", help="Field holding the GSS codes (when the guess is wrong).")
@click.option("--name-field", help="Field holding the names (when the guess is wrong).")
@click.option("--crs", help="CRS of a file that has none, e.g. EPSG:27700.")
@click.option("--layer", help="Layer to read from a file holding several.")
@click.option("--names-lookup", type=_InputPath(),
              help="ONS names-and-codes CSV for a file with names but no codes.")
@_cache_flag
@_common
def inspect(file: Path, kind: str | None, code_field: str | None, name_field: str | None,
            crs: str | None, layer: str | None, names_lookup: Path | None, cache: bool,
            data: Path | None) -> None:
    """Say what a boundary FILE holds: kind, vintage, fields, CRS, repairs, warnings."""
    from stpgeo.io.cache import Cache
    from stpgeo.io.cached import read_layer_cached

    found = read_layer_cached(file, cache=Cache.open(cache), kind=kind, code_field=code_field,
                              name_field=name_field, crs=crs, layer=layer,
                              names_lookup=names_lookup, data=data)
    click.echo(found.describe())


@cli.command()
@click.option("--blocks", required=True, type=_InputPath(),
              help="The building blocks, e.g. lsoa/lsoa_2011_england.geojson.")
@click.option("--lookup", required=True, type=_InputPath(),
              help="Block-to-footprint lookup CSV, e.g. ONS lookup 143.")
@click.option("--by", required=True, help="Lookup column of footprint codes, e.g. STP17CD.")
@click.option("--population", type=_InputPath(), help="Residents per block (CSV).")
@click.option("--blocks-crs", help="CRS of a block file that has none.")
@click.option("--blocks-layer", help="Layer to read from a block file holding several.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Output file: .gpkg, .geojson, .parquet, .fgb or .shp.")
@_cache_flag
@_common
@_replayable(lambda params: [params["out"]])
def build(blocks: Path, lookup: Path, by: str, population: Path | None, blocks_crs: str | None,
          blocks_layer: str | None, out: Path, cache: bool, data: Path | None) -> None:
    """Build footprints (one polygon per code) from building blocks and a lookup."""
    from stpgeo.engine.footprints import build_footprints, ons_fields, read_clean_blocks
    from stpgeo.io.cache import Cache
    from stpgeo.io.cached import remember_written_build
    from stpgeo.io.write import check_destination, write_layer

    check_destination(out, folder=False)
    store = Cache.open(cache)
    # cleaned as stpgeo analyse cleans blocks it can sum footprints from: kept once
    block_layer = read_clean_blocks(blocks, cache=store, crs=blocks_crs, layer=blocks_layer,
                                    data=data)
    footprints = build_footprints(block_layer, lookup, by=by, population=population,
                                  cache=store)
    write_layer(ons_fields(footprints), out)
    remember_written_build(out, footprints, store)
    _say(f"built {len(footprints):,} footprints ({by}) from "
         f"{int(footprints.gdf['n_blocks'].sum()):,} blocks -> {out}")
    for warning in footprints.warnings:
        _say(f"warning: {warning}", err=True)


def _analysis_flags(function: F) -> F:
    """One flag per field of :class:`~stpgeo.analysis.options.AnalysisOptions`."""
    for spec in reversed(fields(AnalysisOptions)):
        function = _flag(spec)(function)
    return function



def _analysis_options(params: dict[str, Any]) -> AnalysisOptions:
    """The analysis options among a command's parameters (taken out of ``params``)."""
    return AnalysisOptions(**{spec.name: params.pop(spec.name)
                              for spec in fields(AnalysisOptions)})


@cli.command()
@click.option("--wards", required=True, type=_InputPath(), help="Ward (or council) layer.")
@click.option("--footprints", required=True, type=_InputPath(),
              help="Footprint layer: CCGs, STPs (or any polygons).")
@_analysis_flags
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--self-contained", is_flag=True,
              help="Keep every polygon in layers.gpkg (a folder that opens without the input "
              "files); by default polygons the input files give again are kept by reference.")
@click.option("--keep-blocks", is_flag=True,
              help="Keep the blocks' polygons in layers.gpkg (for GIS) even when referenced.")
@_common
@_replayable(lambda params: [params["out"]])
def analyse(wards: Path, footprints: Path, out: Path, self_contained: bool, keep_blocks: bool,
            **params: Any) -> None:
    """Overlay wards on footprints and find the wards outside their council's footprint."""
    from stpgeo.analysis.pipeline import analyse as run
    from stpgeo.io.write import check_destination
    from stpgeo.outputs.findings import national_findings

    check_destination(out, folder=True)
    options = _analysis_options(params)
    result = run(wards, footprints, options)
    result.write(out, geometry="embedded" if self_contained else "referenced",
                 blocks_layer=keep_blocks, cache=options.cache)
    for sentence in national_findings(result):
        _say(sentence)
    for warning in _warnings(result.summary):
        _say(f"warning: {warning}", err=True)
    _say(f"results written to {out}")


def _warnings(summary: dict[str, Any]) -> list[str]:
    """The warnings of an analysis: on each input layer, then on the analysis."""
    layers = [summary["inputs"].get(role) or {} for role in ("wards", "footprints", "blocks")]
    found = [w for layer in layers for w in layer.get("warnings", [])] + summary["warnings"]
    return list(dict.fromkeys(found))


@cli.command()
@click.option("--out", default=Path("out/demo"), show_default=True,
              type=click.Path(path_type=Path), help="Output folder.")
@_cache_flag
@_common
def demo(out: Path, cache: bool, data: Path | None) -> None:
    """The seed case: England's wards against the CCGs and STPs of 2017.

    Without a data directory it runs on the bundled sample of Birmingham, Solihull
    and the Black Country (--data sample does so always).
    """
    from stpgeo.demo import demo_data, run_demo
    from stpgeo.io.write import check_destination

    check_destination(out, folder=True)
    source = demo_data(data)
    click.echo(source.describe())
    result = run_demo(out, data=source.folder, cache=cache)
    for line in result.missing:
        click.echo(f"note: {line}")
    for line in result.findings():
        click.echo(line)
    click.echo(f"results written to {out}/ (stp17/, ccg17/, map.html, report.html, timeline/, "
               "atlas/)")


@cli.command()
@click.argument("products", nargs=-1)
@click.option("--list", "list_", is_flag=True,
              help="List the catalogue's products, their sizes, whether each is present and "
              "whether its source is confirmed.")
@click.option("--check", "check_", is_flag=True,
              help="Download nothing: ask every source of each product (the first and its "
              "fallbacks) whether it still answers, and print a table. Exit status 1 when "
              "one does not.")
@click.option("--mirror", metavar="URL", help="Replace the scheme and host of every download "
              "address, e.g. an organisation's mirror: http://mirror.example.org.")
@click.option("--force", is_flag=True, help="Download products already present again.")
@_common
def fetch(products: tuple[str, ...], list_: bool, check_: bool, mirror: str | None,
          force: bool, data: Path | None) -> None:
    """Download England's data from its publishers into the data directory.

    PRODUCTS are catalogue keys (stpgeo fetch lsoa_2011 143), `demo` (the default:
    what stpgeo demo needs for England), `today` or `all`. Each product's sources are
    tried in turn; downloads resume where they stopped.
    """
    from stpgeo.io.check import check, describe
    from stpgeo.io.fetch import fetch as download
    from stpgeo.io.fetch import product_table

    if list_:
        click.echo(product_table(data=data))
        return
    if check_:
        checks = check(products, mirror=mirror)
        click.echo(describe(checks))
        failing = sum(not c.ok for c in checks)
        if failing:  # exit status 1 (ClickException's), the table above says which
            raise click.ClickException(f"{failing} of {len(checks)} sources do not answer")
        return
    click.echo(download(products, data=data, mirror=mirror, force=force).describe())


@cli.command("map")
@click.argument("analyses", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write, e.g. map.html.")
@click.option("--council", help="Map this council (code or name) and its neighbours: every "
              "council with wards in a footprint its wards lie in.")
@click.option("--footprint", help="Map this footprint (code or name) and the councils "
              "touching it.")
@click.option("--england", is_flag=True, help="Map every ward analysed (the default).")
@click.option("--tolerance", type=click.FloatRange(0, min_open=True),
              help="Simplification tolerance in metres [default: from the size of the area].")
@click.option("--cdn", is_flag=True, help="Link Leaflet and folium's other assets from CDNs "
              "instead of inlining them (a smaller file that needs the internet).")
@click.option("--no-basemap", is_flag=True, help="Draw no basemap: the page then needs no "
              "network at all.")
@_common
def map_(analyses: tuple[Path, ...], out: Path, council: str | None, footprint: str | None,
         england: bool, tolerance: float | None, cdn: bool, no_basemap: bool) -> None:
    """Write an interactive map of where wards and footprints do not line up.

    ANALYSES: a folder written by stpgeo analyse, or one written by stpgeo demo
    (its STPs colour the wards, its CCGs are drawn too), or several folders.
    The page works offline except for the basemap tiles.
    """
    from stpgeo.outputs.analyses import read_analyses
    from stpgeo.outputs.maps import BASEMAP, ward_map, write_map

    if sum(bool(x) for x in (council, footprint, england)) > 1:
        raise click.UsageError("give only one of --council, --footprint and --england")
    m = ward_map(read_analyses(*analyses), council=council, footprint=footprint,
                 tolerance=tolerance, assets="cdn" if cdn else "inline",
                 tiles=None if no_basemap else BASEMAP)
    write_map(m, out)
    click.echo(f"map written to {out} ({out.stat().st_size / 1e6:.1f} MB)")


@cli.command()
@click.argument("analyses", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The report folder to write (replaced atomically).")
@click.option("--council", help="Report on this council (code or name) and its neighbours.")
@click.option("--footprint", help="Report on this footprint (code or name) and the councils "
              "touching it.")
@click.option("--england", is_flag=True, help="Report on every ward analysed (the default).")
@click.option("--cdn", is_flag=True, help="Link the map's scripts from CDNs instead of "
              "inlining them.")
@_common
def report(analyses: tuple[Path, ...], out: Path, council: str | None, footprint: str | None,
           england: bool, cdn: bool) -> None:
    """Write report.html (findings, map, tables, data quality, method), map.png and exports.

    ANALYSES: a folder written by stpgeo analyse or stpgeo demo, or several folders.
    """
    from stpgeo.outputs.analyses import read_analyses
    from stpgeo.outputs.report import write_report

    if sum(bool(x) for x in (council, footprint, england)) > 1:
        raise click.UsageError("give only one of --council, --footprint and --england")
    path = write_report(read_analyses(*analyses), out, council=council, footprint=footprint,
                        assets="cdn" if cdn else "inline")
    click.echo(f"report written to {path} (with map.png, export/ and summary.md)")


@cli.command("timeline")
@click.option("--council", "councils", multiple=True, metavar="NAME_OR_CODE",
              help="A council to follow (name or code, e.g. Birmingham); repeat for several.")
@click.option("--england", is_flag=True, help="Tables for every council and ward of England "
              "(the default when no --council is given).")
@click.option("--vintages", help="Comma-separated footprint vintages, e.g. CCG17,ICB22,ICB26 "
              "[default: every vintage the data directory can build, CCG15 to ICB26].")
@click.option("--proposal", "proposals", multiple=True, type=_InputPath(), metavar="CSV",
              help="A proposed footprint map (columns code, proposed_code, proposed_name; or "
              "a map of LSOAs as ONS's lookups are, e.g. LSOA21CD, ICB27CD, ICB27NM); repeat "
              "for several.")
@click.option("--wards", type=_InputPath(), help="Ward layer for every vintage [default: the "
              "wards of each vintage's time: 2013 for the 2011 LSOAs, 2024 for the 2021 LSOAs].")
@click.option("--block-wards", type=_InputPath(), help="Block → ward lookup for --wards "
              "[default: each generation's with its default wards, else geometry].")
@click.option("--blocks", type=_InputPath(), help="LSOAs of one generation (2011 or 2021), "
              "replacing that generation's [default: the catalogue's].")
@click.option("--population", type=_InputPath(), help="Residents per LSOA, of the same "
              "generation as the vintages it serves [default: mid-2017 for the 2011 LSOAs, "
              "Census 2021 for the 2021 LSOAs].")
@click.option("--deprivation", type=_InputPath(), help="Deciles of deprivation per LSOA "
              "[default: IMD 2019 for the 2011 LSOAs, IoD 2025 for the 2021 LSOAs, when "
              "present].")
@click.option("--no-deprivation", is_flag=True, help="Leave deprivation out.")
@click.option("--tolerance", type=click.FloatRange(0, 0.5, max_open=True), default=0.05,
              show_default=True, help="Pieces under this share of a ward's residents are "
              "slivers.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Output folder (replaced atomically).")
@_cache_flag
@_common
def timeline_(councils: tuple[str, ...], proposals: tuple[Path, ...], out: Path,
              data: Path | None, no_deprivation: bool, **options: Any) -> None:
    """How councils and wards line up with every footprint vintage, 2015 to 2026.

    Writes timeline.csv, ward_timeline.csv, changes.csv, trend.csv, moves.csv,
    deprivation.csv, vintages.csv, summary.json, trend.png and timeline.html
    (self-contained, offline) into --out.
    """
    from stpgeo.analysis.timeline import timeline as run

    if no_deprivation:
        if options["deprivation"] is not None:
            raise click.UsageError("give --deprivation or --no-deprivation, not both")
        options["deprivation"] = False
    # england, vintages, wards, blocks, population, block_wards, deprivation, tolerance,
    # cache: as the Python API takes them
    result = run(list(councils), proposals=list(proposals), data=data, out=out, **options)
    for sentence in result.findings():
        click.echo(sentence)
    for warning in result.summary["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"timeline written to {out}/ (timeline.html, trend.png, timeline.csv, "
               "ward_timeline.csv, changes.csv, trend.csv, moves.csv, deprivation.csv, "
               "vintages.csv)")


@cli.command("atlas")
@click.option("--council", "councils", multiple=True, metavar="NAME_OR_CODE",
              help="An atlas of this council and its neighbours (repeat for several); "
              "without it, every council of England.")
@click.option("--england", is_flag=True, help="Every council of England (the default).")
@click.option("--vintages", help="Comma-separated footprint vintages [default: every vintage "
              "the data directory can build, CCG15 to ICB26].")
@click.option("--proposal", "proposals", multiple=True, type=_InputPath(), metavar="CSV",
              help="A proposed footprint map, one more vintage (as stpgeo timeline takes it).")
@click.option("--analyses", "analyses", multiple=True, type=click.Path(
              file_okay=False, path_type=Path), metavar="DIR",
              help="A folder of stpgeo analyse (or demo): its GP practices of other "
              "commissioners are listed on the council pages.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The site's folder (replaced atomically).")
@_cache_flag
@_common
def atlas_(councils: tuple[str, ...], england: bool, proposals: tuple[Path, ...],
           analyses: tuple[Path, ...], out: Path, data: Path | None, **options: Any) -> None:
    """Write the atlas: every council's alignment through time, as a static site.

    index.html finds a council by its name, a ward's or an ICB's; each council has a
    page (its map by vintage, its story, figures, wards outside home, neighbours), each
    footprint of the latest vintages too. It opens from the file system or any static
    web host, with no network.
    """
    from stpgeo.atlas import atlas, folder_size
    from stpgeo.outputs.analyses import read_analyses

    if england and councils:
        raise click.UsageError("give --council or --england, not both")
    read = read_analyses(*analyses) if analyses else []
    path = atlas(list(councils) or None, england=england or not councils, out=out, data=data,
                 proposals=list(proposals), analyses=read, **options)
    pages = sum(1 for _ in (path / "councils").glob("*.html"))
    click.echo(f"atlas written to {path}/ ({pages:,} council pages, "
               f"{folder_size(path) / 1e6:,.1f} MB): open {path / 'index.html'}, or publish "
               "the folder as it is on any static web host")


@cli.command("cache")
@click.option("--clear", is_flag=True, help="Remove everything the cache holds.")
@_common
def cache_(clear: bool) -> None:
    """Show where stpgeo's cache of earlier runs lives and how big it is, or clear it.

    The cache (STPGEO_CACHE_DIR, else the user's cache folder) keeps layers read and
    repaired, cleaned coverages, footprints built and overlap tables, keyed by the
    content of the inputs; commands that read inputs take --no-cache to bypass it.
    """
    from stpgeo.io.cache import Cache

    store = Cache.open()
    if clear:
        removed = store.clear()
        click.echo(f"cleared {removed.folder} ({removed.entries:,} entries, "
                   f"{removed.bytes / 1e6:,.1f} MB)")
    else:
        click.echo(str(store.size()))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for bad input)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="stpgeo", standalone_mode=False)
    except StpgeoError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"stpgeo: error: {error}", err=True)
        return 2
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as error:
        return error.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("stpgeo: interrupted", err=True)
        return 130
    except Exception as error:  # a bug, not bad input: short message unless --debug
        if debug:
            raise
        click.echo(f"stpgeo: unexpected error: {type(error).__name__}: {error}\n"
                   "  run again with --debug for the details, and report it as a bug", err=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
