# Plots a `gyre bench` CSV that holds several benchmarks (make bench writes
# bench/results/latest.csv) as two panels against the worker count W:
#   left   speedup t(1 worker) / t(W) of every benchmark, with the ideal y = W;
#   right  throughput of every benchmark on a log scale (each in its own unit:
#          edges/s, records/s, rounds/s, so only the slopes compare across them).
# A single benchmark is plotted by `gyre bench ... --plot FILE.svg` itself.
#
# usage: gnuplot -e "csv='latest.csv'; out='latest.svg'; algos='cc tc barrier'" \
#                [-e "cores=2; subtitle='...'"] scripts/plot.gp
# algos lists the benchmarks to draw, in the CSV's order (scripts/bench.sh
# takes them from the CSV's first column).

if (!exists("csv") || !exists("out") || !exists("algos")) {
    print "plot.gp: set csv, out and algos with -e (see the comment at the top)"
    exit status 2
}
if (!exists("subtitle")) subtitle = ""
if (!exists("cores")) cores = 0

set terminal svg size 1100,560 dynamic noenhanced font 'sans,13' background rgb 'white'
set output out
set datafile separator ','
set datafile columnheaders

# The largest W in the file, for the ideal line and the x range.
stats csv using (column('workers')) nooutput
maxw = STATS_max

set xlabel 'workers (W)'
set grid
set key below horizontal Left reverse maxcols 3 width 1
set xrange [0.5:maxw + 0.5]
set xtics 1
if (cores > 0 && maxw > cores) {
    set object 1 rect from cores + 0.5, graph 0 to graph 1, graph 1 behind \
        fc rgb '#eeeeee' fs solid noborder
    set label 1 sprintf('W > %d cores', cores) at (cores + 1 + maxw) / 2.0, graph 0.95 \
        center font ',10' tc rgb '#666666'
}

# One colour and point type per benchmark, the same in both panels.
colors = '#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b #e377c2 #17becf'
pick(a) = sum [i = 1:words(algos)] (word(algos, i) eq a ? i : 0)
unitof(a) = a eq 'barrier' ? 'rounds/s' : (a eq 'exchange' || a eq 'loop') ? 'records/s' : 'edges/s'
only(a, c) = strcol('algo') eq a ? column(c) : NaN

set multiplot layout 1,2 title 'gyre bench: ' . subtitle
set title 'speedup'
set ylabel 't(1 worker) / t(W)'
set yrange [0:maxw * 1.15]
plot x with lines dt 2 lw 1.5 lc rgb '#888888' title 'ideal: speedup = W', \
     for [a in algos] csv using 'workers':(only(a, 'speedup')) with linespoints lw 2.5 \
         pt pick(a) + 4 ps 1.1 lc rgb word(colors, pick(a)) title a

set title 'throughput (each in its own unit)'
set ylabel 'per second (log scale)'
set logscale y
set format y '%.0s%c'
set yrange [*:*]
plot for [a in algos] csv using 'workers':(only(a, 'throughput')) with linespoints lw 2.5 \
         pt pick(a) + 4 ps 1.1 lc rgb word(colors, pick(a)) title a . ' (' . unitof(a) . ')'
unset multiplot
