
&t-8a8c58e0-ab13-46ae-8ecd-9b1a35a9743cìêπË§4trainer-service-2z§
°
ú'void io.convnet.job.TrainingRequest.<init>(java.lang.String, java.lang.String, java.nio.file.Path, int, int, boolean, io.convnet.train.OptimizerSpec, long, int, int, int, java.nio.file.Path, java.nio.file.Path, boolean, io.convnet.transfer.TransferOptions, io.convnet.data.DataRoot)'