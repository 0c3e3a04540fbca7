use clap::Parser;
use std::io::IsTerminal;

fn main() {
    // Reports: colour only on a terminal; no wrapping elsewhere, so that
    // messages captured in tests and logs do not depend on the terminal.
    let tty = std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new().terminal_links(false);
        let opts = if tty {
            opts
        } else {
            opts.color(false).unicode(false).width(400)
        };
        Box::new(opts.build())
    }));
    let cli = brink::cli::Cli::parse();
    std::process::exit(brink::cli::run(cli));
}
