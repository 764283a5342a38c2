# Charts of bench/results, run by bench/run from inside bench/results (it
# reads the *.dat files bench/report.py writes there).
set terminal pngcairo size 900,520 font ",10" noenhanced
set grid ytics
set key top right
set style fill solid 0.8 border -1
set boxwidth 0.6

set output "throughput.png"
set title "Rows per second: marin-sync first full load at medium vs its ceilings"
set ylabel "rows/s"
set xtics rotate by -20 nomirror
set yrange [0:*]
plot "throughput.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#4477aa", \
     "" using 0:2:(sprintf("%.0f", $2)) with labels offset 0,0.8 notitle

set output "latency.png"
set title "Latency hiding: full sync at small, 50 ms per request"
set xlabel "requests in flight (api.max_in_flight)"
set ylabel "wall time (s)"
set logscale xy 2
set xrange [0.8:80]
set xtics (1, 4, 16, 32, 64) norotate
set yrange [*:*]
set key top right
plot "latency.dat" using 1:2 with linespoints lw 2 pt 7 title "measured", \
     "" using 1:3 with linespoints lw 2 dt 2 pt 6 title "lower bound: requests x 50 ms / in flight"
unset logscale
unset xlabel
set xrange [*:*]

set output "cpu.png"
set title "CPU seconds per run (medium unless named), and wall time"
set ylabel "seconds"
set style data histograms
set style histogram clustered gap 1
set xtics rotate by -20 nomirror
set yrange [0:*]
set key top right
plot "cpu.dat" using 2:xtic(1) title "marin-sync CPU" lc rgb "#4477aa", \
     "" using 3 title "marin-sim CPU" lc rgb "#ccbb44", \
     "" using 4 title "PostgreSQL CPU" lc rgb "#228833", \
     "" using 5 title "wall" lc rgb "#bbbbbb"

set output "memory.png"
set title "Peak RSS of marin-sync by scale"
set ylabel "MiB"
set style data boxes
set xtics norotate
set yrange [0:*]
plot "memory.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#aa3377", \
     "" using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.8 notitle, \
     150 with lines dt 2 lw 2 lc rgb "red" title "target at medium: 150 MiB"

set output "incremental.png"
set title "Runs after the first full load at medium, as % of the first full load"
set ylabel "% of first full load (log)"
set logscale y
set yrange [0.001:200]
set style data histograms
set style histogram clustered gap 1
set xtics rotate by -20 nomirror
plot "incremental.dat" using ($2 > 0 ? $2 : 0.001):xtic(1) title "wall" lc rgb "#4477aa", \
     "" using ($3 > 0 ? $3 : 0.001) title "requests" lc rgb "#ccbb44", \
     "" using ($4 > 0 ? $4 : 0.001) title "WAL bytes" lc rgb "#228833", \
     "" using ($5 > 0 ? $5 : 0.001) title "rows written" lc rgb "#ee6677"
